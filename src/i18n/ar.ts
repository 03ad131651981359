import type { Messages } from './types.js';

export default {
  dir: 'rtl',
  heading: 'سيتم تسجيل خروجك قريبًا',
  message: 'حفاظًا على أمانك، سيتم تسجيل خروجك خلال {time}.',
  ending: 'ستنتهي جلستك خلال {time}. احفظ عملك الآن.',
  stay: 'متابعة الجلسة',
  signOut: 'تسجيل الخروج',
  error: 'تعذّر تمديد الجلسة. تحقق من اتصالك وحاول مرة أخرى.',
  signedOut: 'تم تسجيل خروجك.',
  notice: 'حفاظًا على أمانك، سيتم تسجيل خروجك بعد {time} من عدم النشاط.',
  restored: 'تمت استعادة التغييرات غير المحفوظة.',
} satisfies Messages;
