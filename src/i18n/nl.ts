import type { Messages } from './types.js';

export default {
  dir: 'ltr',
  heading: 'U wordt bijna uitgelogd',
  message: 'Voor uw veiligheid loggen we u over {time} uit.',
  ending: 'Uw sessie eindigt over {time}. Sla uw werk nu op.',
  stay: 'Ingelogd blijven',
  signOut: 'Uitloggen',
  error: 'We konden u niet ingelogd houden. Controleer uw verbinding en probeer het opnieuw.',
  signedOut: 'U bent uitgelogd.',
  notice: 'Voor uw veiligheid wordt u na {time} zonder activiteit uitgelogd.',
  restored: 'Uw niet-opgeslagen wijzigingen zijn hersteld.',
} satisfies Messages;
