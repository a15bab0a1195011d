// Chat-like text in Korean, English and both, for the search scenario: words drawn with a Zipf-like skew,
// so some are in a large share of all messages (the costly queries) and others are rare. Seeded, so every
// run searches the same database.

const KOREAN_NOUNS = [
  '회의',
  '점심',
  '프로젝트',
  '일정',
  '보고서',
  '고객',
  '개발',
  '디자인',
  '서버',
  '배포',
  '테스트',
  '문서',
  '예산',
  '마감',
  '주간',
  '월요일',
  '금요일',
  '내일',
  '오늘',
  '저녁',
  '회사',
  '사무실',
  '발표',
  '자료',
  '계약',
  '출장',
  '휴가',
  '업무',
  '질문',
  '답변',
  '결과',
  '계획',
  '메일',
  '전화',
  '사진',
  '영상',
  '코드',
  '버그',
  '기능',
  '화면',
  '로그인',
  '데이터',
];
const PARTICLES = ['', '는', '은', '를', '을', '이', '가', '에', '에서', '으로', '와', '도', '만', '까지'];
const KOREAN_ENDINGS = ['했다', '합니다', '할까요', '해요', '됐어요', '있어요', '없어요', '봐요', '주세요', '같아요', '끝났어요'];
const ENGLISH = [
  'the',
  'meeting',
  'lunch',
  'project',
  'schedule',
  'report',
  'client',
  'deploy',
  'server',
  'design',
  'test',
  'docs',
  'budget',
  'deadline',
  'weekly',
  'monday',
  'friday',
  'tomorrow',
  'today',
  'office',
  'slides',
  'contract',
  'trip',
  'review',
  'question',
  'answer',
  'results',
  'plan',
  'email',
  'call',
  'photo',
  'video',
  'code',
  'bug',
  'feature',
  'screen',
  'login',
  'data',
  'release',
  'ticket',
  'merge',
  'branch',
  'build',
  'pipeline',
  'customer',
  'invoice',
  'is',
  'at',
  'for',
  'with',
  'we',
  'can',
  'please',
  'check',
  'ready',
  'done',
  'soon',
  'later',
  'again',
  'thanks',
];
const TIMES = ['9시', '10시', '11시', '2시', '3시', '4시', '10시에', '3시에', '오후', '오전'];

/** A small deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An index skewed towards the start of a list of `length` (Zipf-like: the first words are the common ones). */
function skewed(random: () => number, length: number): number {
  return Math.min(length - 1, Math.floor(length * random() ** 2.5));
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[skewed(random, list.length)]!;
}

/** One message: mostly Korean, mostly English, or both, 4–14 words. */
export function chatMessage(random: () => number): string {
  const kind = random();
  const words: string[] = [];
  const count = 4 + Math.floor(random() * 11);
  for (let i = 0; i < count; i++) {
    const korean = kind < 0.5 || (kind < 0.8 ? false : random() < 0.5);
    if (korean) {
      const r = random();
      words.push(r < 0.12 ? pick(random, TIMES) : r < 0.3 ? pick(random, KOREAN_ENDINGS) : pick(random, KOREAN_NOUNS) + pick(random, PARTICLES));
    } else words.push(pick(random, ENGLISH));
  }
  return words.join(' ');
}

/** The kinds of query the scenario times, each with the queries it draws from. */
export const SEARCH_QUERY_KINDS: ReadonlyArray<{ kind: string; queries: readonly string[] }> = [
  { kind: 'common Korean word', queries: ['회의', '점심', '프로젝트', '일정'] },
  { kind: 'Korean word with a particle', queries: ['회의는', '프로젝트를', '일정이', '서버에서'] },
  { kind: 'one syllable', queries: ['회', '점', '일', '서'] },
  { kind: 'rare Korean word', queries: ['데이터', '로그인', '버그', '기능'] },
  { kind: 'time (10시)', queries: ['10시', '3시', '9시'] },
  { kind: 'English word (prefix)', queries: ['meet', 'lunch', 'project', 'deploy'] },
  { kind: 'two English words', queries: ['meeting today', 'deploy server', 'weekly report', 'bug fix'] },
  { kind: 'Korean and English', queries: ['회의 meeting', '서버 deploy', '점심 lunch'] },
  { kind: 'one letter (prefix)', queries: ['m', 'r'] },
  { kind: 'absent word', queries: ['zebra', '코끼리'] },
];
