import type { Messages } from './types.js';

// {time} is Intl output in the nominative ("1 minuta"), so it follows a colon
// instead of a preposition that would need another case ("za 1 minutę").
export default {
  dir: 'ltr',
  heading: 'Za chwilę nastąpi wylogowanie',
  message: 'Ze względów bezpieczeństwa nastąpi wylogowanie. Pozostały czas: {time}.',
  ending: 'Sesja się kończy. Pozostały czas: {time}. Zapisz teraz swoją pracę.',
  stay: 'Przedłuż sesję',
  signOut: 'Wyloguj się',
  error: 'Nie udało się przedłużyć sesji. Sprawdź połączenie i spróbuj ponownie.',
  signedOut: 'Nastąpiło wylogowanie.',
  notice: 'Ze względów bezpieczeństwa nastąpi wylogowanie po okresie bezczynności: {time}.',
  restored: 'Przywrócono niezapisane zmiany.',
} satisfies Messages;
