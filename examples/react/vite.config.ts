import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
// In development, the server that owns the session answers /session, /login
// and /logout through the dev server (same origin), and the page is served to
// signed-in people only. BACKEND_URL names that server (default: the demo).
import { devBackend } from '../dev-backend.js';

export default defineConfig({
  plugins: [react(), devBackend()],
  // Its own port: the demo (the default backend) has 5173.
  server: { host: '127.0.0.1', port: 5174, strictPort: true },
});
