import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
// In development, the server that owns the session answers /session, /login
// and /logout through the dev server (same origin), and the page is served to
// signed-in people only. BACKEND_URL names that server (default: the demo).
import { devBackend } from '../dev-backend.js';

export default defineConfig({
  plugins: [
    vue({
      template: {
        compilerOptions: {
          // A custom element, not a Vue component: no "Failed to resolve component".
          isCustomElement: (tag) => tag === 'session-timeout-dialog',
        },
      },
    }),
    devBackend(),
  ],
  // Its own port: the demo (the default backend) has 5173, the React example 5174.
  server: { host: '127.0.0.1', port: 5175, strictPort: true },
});
