import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Everything is bundled (GraphiQL included): the pages load nothing from a CDN and work offline.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    // GraphiQL's editor is a large, lazily loaded chunk used only at /explorer in development.
    chunkSizeWarningLimit: 2500,
  },
});
