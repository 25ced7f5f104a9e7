"""WSGI entry point, for serving the example with gunicorn, uWSGI or mod_wsgi."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icjwt_api.settings")
application = get_wsgi_application()
