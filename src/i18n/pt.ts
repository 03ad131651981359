import type { Messages } from './types.js';

export default {
  dir: 'ltr',
  heading: 'Sua sessão está prestes a terminar',
  message: 'Por segurança, encerraremos sua sessão em {time}.',
  ending: 'Sua sessão terminará em {time}. Salve seu trabalho agora.',
  stay: 'Manter a sessão',
  signOut: 'Sair',
  error: 'Não foi possível manter sua sessão. Verifique sua conexão e tente novamente.',
  signedOut: 'Sua sessão foi encerrada.',
  notice: 'Por segurança, sua sessão será encerrada após {time} de inatividade.',
  restored: 'Suas alterações não salvas foram restauradas.',
} satisfies Messages;
