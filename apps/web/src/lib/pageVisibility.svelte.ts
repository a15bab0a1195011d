/** Whether the person can see the page: messages only count as read while it is visible. */
export class PageVisibility {
  isVisible = $state(document.visibilityState === 'visible');

  constructor() {
    document.addEventListener('visibilitychange', () => (this.isVisible = document.visibilityState === 'visible'));
  }
}
