export declare const SERVER_BUNDLE: URL;
export declare function serverBundleIsFresh(): boolean;
