import { mount } from 'svelte';
import App from './App.svelte';
import { registerServiceWorker } from './lib/serviceWorker.ts';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

// Not in dev: a worker serving cached files would hide the dev server's fresh ones. MODE, not PROD:
// PROD follows NODE_ENV, which a build started from the test runner inherits as "test".
if (import.meta.env.MODE !== 'development') registerServiceWorker();

export default mount(App, { target });
