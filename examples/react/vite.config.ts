import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const backend = process.env.BACKEND_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  // The session cookie belongs to your server: in development, reach it (and
  // its sign-in pages) through the dev server, so the calls stay same-origin.
  server: {
    proxy: Object.fromEntries(['/session', '/login', '/logout'].map((path) => [path, backend])),
  },
});
