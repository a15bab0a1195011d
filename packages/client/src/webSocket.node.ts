import { WebSocket } from 'ws';

// Node 20 has no global WebSocket; `ws` speaks the same protocol with a browser-compatible class.
export const WebSocketImpl = WebSocket as unknown as typeof globalThis.WebSocket;
