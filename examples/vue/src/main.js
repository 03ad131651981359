import { createApp } from 'vue';
import 'session-timeout-dialog'; // defines <session-timeout-dialog>
import App from './App.vue';

createApp(App).mount('#app');
