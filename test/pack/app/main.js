import 'session-timeout-dialog';

window.__warnings = [];
document.addEventListener('session-timeout-warn', (event) => {
  window.__warnings.push(event.detail.remainingSeconds);
});
