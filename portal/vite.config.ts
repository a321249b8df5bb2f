import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Everything is bundled (GraphiQL included): the pages load nothing from a CDN and work offline.
// The sign-in page is the first thing a person on a slow line waits for: graphql-js and Apollo
// (needed only once signed in, and by the explorer) go in a chunk of their own instead of the entry.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    // The gateway reads it to tell the browser, in the page itself, every chunk the page will need (modulepreload).
    manifest: true,
    // GraphiQL's editor is a large, lazily loaded chunk used only at /explorer in development.
    chunkSizeWarningLimit: 2500,
    rolldownOptions: {
      output: {
        advancedChunks: {
          groups: [
            // React goes with the entry's chunk of its own (every page needs it), ahead of the GraphQL group that would capture it as a dependency.
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 20 },
            { name: 'graphql', test: /node_modules[\\/](graphql|@apollo|@wry|optimism|zen-observable|rxjs|@graphql-typed-document-node|tslib)[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
});
