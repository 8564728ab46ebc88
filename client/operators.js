// The custom operators of formserver/logic.py, for the browser: the same results from the
// reference data the server sends with the form's rules (formserver/web/rules.py).
// A value that needs data not loaded yet (a KBLI code or a region not fetched) throws Pending:
// the page then says "diperiksa saat tersambung" and never guesses.

export const SCALES = ["MIKRO", "KECIL", "MENENGAH", "BESAR"];
export const LEVELS = ["RENDAH", "MENENGAH_RENDAH", "MENENGAH_TINGGI", "TINGGI"];
export const OBLIGATIONS = ["SPPL", "UKL_UPL", "AMDAL"];
const WILAYAH_LEVELS = ["provinsi", "kabupaten", "kecamatan", "kelurahan"];

export class Pending extends Error {
  constructor(what) { super("pending: " + what); this.what = what; }
}

// Python's truthiness ("if not kode")
export function pyFalsy(v) {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.keys(v).length === 0;
  return false;
}

// Python's str() for the JSON values an answer can hold
export function pyStr(v) {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") {
    if (Number.isInteger(v) && Math.abs(v) < 1e16) return String(v);
    return String(v);
  }
  return typeof v === "string" ? v : JSON.stringify(v);
}

// Python's str.strip() (whitespace as str.isspace counts it)
export function pyStrip(s) {
  return s.replace(/^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g, "");
}

function numberOrNone(v) {
  return typeof v === "number" ? v : null;
}

// Today's date in Western Indonesian Time (UTC+7), as the server's today()
export function todayWib(now) {
  return new Date((now === undefined ? Date.now() : now) + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

function isoDate(text) {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (!m || (text.length === 10) !== (text.indexOf("-") === 4 && text.lastIndexOf("-") === 7)) return null;
  const y = +m[1], mo = +m[2], d = +m[3];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1 || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return [y, mo, d];
}

// ref: {scale: [[name, upper|null]...], environment: {order: [SPPL, UKL_UPL, AMDAL], kinds: [lingkungan.json kinds]},
//       kbli: {kode: row|null}, wilayah: {level: {kode: nama}}}; evaluate(rule, data) runs a nested rule
export function operators(ref, evaluate) {
  const kbliRow = (kode) => {
    if (pyFalsy(kode)) return null;
    const key = pyStrip(pyStr(kode));
    const row = (ref.kbli || {})[key];
    if (row === undefined) throw new Pending("kbli:" + key);
    return row;
  };
  // the kind applies to the KBLI when one of its prefixes starts the code ("*": every code), as the server's
  const kindFor = (kode, code) => {
    const k = pyStrip(pyStr(kode));
    return (ref.environment.kinds || []).find((kind) => kind.kode === code &&
      kind.kbli_awalan.some((prefix) => prefix === "*" || (k !== "" && k.indexOf(prefix) === 0))) || null;
  };
  return {
    today: () => todayWib(),
    age: (born) => {
      const parts = isoDate(pyStr(born));
      if (!parts) return null;
      const [y, m, d] = todayWib().split("-").map(Number);
      return y - parts[0] - ((m < parts[1] || (m === parts[1] && d < parts[2])) ? 1 : 0);
    },
    wilayah_nama: (level, code) => {
      if (pyFalsy(code)) return null;
      if (WILAYAH_LEVELS.indexOf(level) < 0) return null;
      const key = code === null || code === undefined ? "" : pyStrip(pyStr(code));
      const names = (ref.wilayah || {})[level] || {};
      if (!Object.prototype.hasOwnProperty.call(names, key)) throw new Pending("wilayah:" + level + ":" + key);
      return names[key];
    },
    kbli_judul: (kode) => { const row = kbliRow(kode); return row ? row.judul : null; },
    kbli_uraian: (kode) => { const row = kbliRow(kode); return row ? row.uraian : null; },
    kbli_perizinan_tunggal: (kode) => { const row = kbliRow(kode); return !!(row && row.perizinan_tunggal); },
    skala_usaha: (modal) => {
      modal = numberOrNone(modal);
      if (modal === null || !(modal >= 0)) return null;
      const whole = Math.trunc(modal);
      for (const [name, upper] of ref.scale) {
        if (upper === null || whole <= upper) return name;
      }
      return null;
    },
    risiko_kbli: (kode, skala, luas) => {
      if (pyFalsy(kode) || pyFalsy(skala)) return null;
      if (SCALES.indexOf(skala) < 0) return null;  // the server refuses another scale (ValueError: null)
      const row = kbliRow(kode);
      const candidates = row && row.risiko ? row.risiko[skala] : null;
      if (!candidates || !candidates.length) return null;
      const params = { luas_lahan_m2: numberOrNone(luas) };
      const refined = [];
      for (const [level, aturan] of candidates) {
        if (aturan === null || aturan === undefined) continue;
        const value = evaluate(aturan, params);
        if (LEVELS.indexOf(value) >= 0) refined.push(value);
      }
      const pool = refined.length ? refined : candidates.map((c) => c[0]);
      // the most restrictive level; the first of equals, as Python's max
      let best = pool[0];
      for (const level of pool) if (LEVELS.indexOf(level) > LEVELS.indexOf(best)) best = level;
      return best;
    },
    kewajiban_lingkungan: (kode, jenis, lahan, ...pilihan) => {
      if (pyFalsy(kode)) return null;
      const kind = typeof jenis === "string" ? kindFor(kode, jenis) : null;
      if (!kind) return null;
      const order = ref.environment.order, chosen = pilihan.filter((c) => typeof c === "string");
      const found = [];
      for (const parameter of kind.parameter) {
        const answer = parameter.pilihan.find((c) => chosen.indexOf(c.kode) >= 0);
        if (!answer) return null;
        found.push(answer.kewajiban);
      }
      const land = numberOrNone(lahan);
      if (land !== null) for (const step of kind.luas_lahan_m2 || []) if (land >= step.mulai) found.push(step.kewajiban);
      let best = found[0];
      for (const o of found) if (order.indexOf(o) > order.indexOf(best)) best = o;
      return best;
    },
  };
}
