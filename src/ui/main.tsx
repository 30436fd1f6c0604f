import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { useLens } from '../state/store';
import { startUrlSync } from '../state/urlSync';
import { App } from './App';
import './styles.css';
import './phone.css';

// Start the model worker and the pair's download before React's first render:
// the worker's bundle and onnxruntime then load while the page is being built.
// A pair named by the link that opened the page asks before downloading from the Hub.
void useLens.getState().loadPair(undefined, undefined, { fromLink: true });
// The address bar follows the view from here on (and Back returns to the previous tab).
startUrlSync();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
