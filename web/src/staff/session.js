// Whether the login page was reached by 退出 (then it goes to 我的待办 afterwards) or because a
// page needed a login (then it returns to that page).
const KEY = 'govit.loggedOut';

export function markLoggedOut() {
  window.sessionStorage.setItem(KEY, '1');
}

export function clearLoggedOut() {
  window.sessionStorage.removeItem(KEY);
}

export function wasLoggedOut() {
  return window.sessionStorage.getItem(KEY) === '1';
}
