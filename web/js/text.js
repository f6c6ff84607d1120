// Text matching that ignores Vietnamese diacritics and case, so "cau giay" finds "Cầu Giấy".
export function foldText(s) {
  return String(s ?? '')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .trim();
}
