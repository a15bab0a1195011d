// Browsers (and Node 22+) have one; this module keeps `ws` out of web bundles.
export const WebSocketImpl = globalThis.WebSocket;
