import type { Messages } from './types.js';

// Welsh, following the GOV.UK / HMRC Welsh wording of the timeout dialog.
export default {
  dir: 'ltr',
  heading: 'Rydych ar fin cael eich allgofnodi',
  message: 'Er eich diogelwch, byddwn yn eich allgofnodi cyn pen {time}.',
  ending: 'Bydd eich sesiwn yn dod i ben cyn pen {time}. Cadwch eich gwaith nawr.',
  stay: 'Parhau i fod wedi’ch mewngofnodi',
  signOut: 'Allgofnodi',
  error: 'Nid oedd modd eich cadw wedi’ch mewngofnodi. Gwiriwch eich cysylltiad a rhowch gynnig arall arni.',
  signedOut: 'Rydych wedi cael eich allgofnodi.',
  notice: 'Er eich diogelwch, byddwn yn eich allgofnodi ar ôl {time} heb weithgarwch.',
  restored: 'Cafodd eich newidiadau heb eu cadw eu hadfer.',
} satisfies Messages;
