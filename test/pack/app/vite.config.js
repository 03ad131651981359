import { defineConfig } from 'vite';

export default defineConfig({
  logLevel: 'warn',
  build: {
    sourcemap: true,
    rolldownOptions: {
      input: { index: 'index.html', 'class-only': 'class-only.html' },
    },
  },
});
