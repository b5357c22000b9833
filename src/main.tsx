// Wiring: mount the React app. Training lives in the Web Worker (src/worker).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { useRunStore } from './state/runStore';
import './state/addressBar';
import './ui/styles.css';

// Read-only access to the runs for automation (the browser benchmark reads its figures here).
(window as unknown as { playground: unknown }).playground = { runs: () => useRunStore.getState().runs };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
