import type { Messages } from './types.js';

export default {
  dir: 'ltr',
  heading: 'まもなくログアウトします',
  message: 'セキュリティのため、{time}後にログアウトします。',
  ending: 'セッションは{time}後に終了します。今すぐ保存してください。',
  stay: 'ログインを続ける',
  signOut: 'ログアウト',
  error: 'ログイン状態を維持できませんでした。接続を確認して再度お試しください。',
  signedOut: 'ログアウトしました。',
  notice: 'セキュリティのため、{time}操作がないとログアウトします。',
  restored: '保存されていない変更を復元しました。',
} satisfies Messages;
