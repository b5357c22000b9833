// Lets Node import a file as text the way Vite does (`import text from './x.py?raw'`), for the CLI
// and scripts run with tsx: the PyTorch export keeps its Python in real .py files.
import { register } from 'node:module';

register('./raw-imports-hooks.mjs', import.meta.url);
