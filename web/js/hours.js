// Opening hours in the OpenStreetMap `opening_hours` syntax, written out for people: the common
// forms ("Mo-Fr 08:00-17:00; Sa 08:00-12:00", "24/7", "PH off") read as the days and times
// they name, in Vietnamese or English. Anything else is shown as written, never guessed at.

const DAYS = {
  vi: { Mo: 'Thứ Hai', Tu: 'Thứ Ba', We: 'Thứ Tư', Th: 'Thứ Năm', Fr: 'Thứ Sáu', Sa: 'Thứ Bảy', Su: 'Chủ nhật', PH: 'ngày lễ' },
  en: { Mo: 'Monday', Tu: 'Tuesday', We: 'Wednesday', Th: 'Thursday', Fr: 'Friday', Sa: 'Saturday', Su: 'Sunday', PH: 'public holidays' },
};
const WORDS = {
  vi: { always: 'Cả ngày, mọi ngày (24/7)', off: 'nghỉ' },
  en: { always: 'Around the clock, every day (24/7)', off: 'closed' },
};

const DAY = '(?:Mo|Tu|We|Th|Fr|Sa|Su|PH)';
const DAY_PART = new RegExp(`^${DAY}(?:-${DAY})?$`);
const TIME_RANGE = /^([01]?\d|2[0-4]):([0-5]\d)-([01]?\d|2[0-4]):([0-5]\d)$/;

/** "08:00" as people write it: "8:00". */
const clock = (h, m) => `${Number(h)}:${m}`;

function rule(part, lang) {
  const [daysText, ...rest] = part.trim().split(/\s+/);
  const days = daysText.split(',');
  if (!days.every((d) => DAY_PART.test(d))) return null;
  const dayWords = days.map((d) => d.split('-').map((x) => DAYS[lang][x]).join('–')).join(', ');
  const timesText = rest.join(' ');
  if (timesText === 'off' || timesText === 'closed') return `${dayWords}: ${WORDS[lang].off}`;
  const times = timesText.split(',').map((r) => r.trim().match(TIME_RANGE));
  if (!timesText || times.some((m) => !m)) return null;
  return `${dayWords} ${times.map((m) => `${clock(m[1], m[2])}–${clock(m[3], m[4])}`).join(', ')}`;
}

/** `text` written out in `lang` ('vi' or 'en'), or `text` itself when its form is not known. */
export function describeHours(text, lang = 'vi') {
  const raw = String(text ?? '').trim();
  const words = lang === 'en' ? 'en' : 'vi';
  if (!raw) return raw;
  if (raw === '24/7') return WORDS[words].always;
  const parts = raw.split(';').filter((p) => p.trim());
  const read = parts.map((p) => rule(p, words));
  return read.every(Boolean) ? read.join('; ') : raw;
}
