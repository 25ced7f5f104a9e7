from rest_framework.response import Response
from rest_framework.views import APIView


class WhoAmI(APIView):
    """GET /api/whoami: the caller's Internet Computer principal and what its token says."""

    def get(self, request):
        claims = request.auth
        return Response(
            {
                "principal": request.user.principal,
                "algorithm": request.user.algorithm,
                "issuer": claims["iss"],
                "audience": claims["aud"],
                "issued_at": claims.get("iat"),
                "expires_at": claims["exp"],
                "token_id": claims.get("jti"),
            }
        )
