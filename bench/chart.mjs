// A log-log SVG line chart of consume cost against N: one line per variant. No dependencies.
const WIDTH = 640;
const HEIGHT = 400;
const PAD = { left: 70, right: 150, top: 30, bottom: 50 };
const SERIES = [
  { key: 'ours', label: 'consume()', color: '#1f6feb' },
  { key: 'floor', label: 'syscall floor', color: '#2da44e' },
  { key: 'shell', label: 'seed shell pattern', color: '#cf222e' },
];

export function chart(points) {
  const values = points.flatMap((p) => SERIES.map((s) => p[s.key]).filter((v) => v !== undefined && v > 0));
  const ns = points.map((p) => p.n);
  const [xMin, xMax] = [Math.log10(Math.min(...ns)), Math.log10(Math.max(...ns))];
  const [yMin, yMax] = [Math.floor(Math.log10(Math.min(...values))), Math.ceil(Math.log10(Math.max(...values)))];
  const x = (n) => PAD.left + ((Math.log10(n) - xMin) / (xMax - xMin || 1)) * (WIDTH - PAD.left - PAD.right);
  const y = (ms) => HEIGHT - PAD.bottom - ((Math.log10(ms) - yMin) / (yMax - yMin || 1)) * (HEIGHT - PAD.top - PAD.bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${PAD.left}" y="18" font-size="14">consume: time for N pending handoffs (log-log)</text>`,
  ];
  for (let power = yMin; power <= yMax; power++) {
    const yy = y(10 ** power);
    parts.push(`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`);
    parts.push(`<text x="${PAD.left - 8}" y="${yy + 4}" text-anchor="end">${10 ** power >= 1 ? 10 ** power : (10 ** power).toFixed(-power)} ms</text>`);
  }
  for (const n of ns) {
    parts.push(`<line x1="${x(n)}" x2="${x(n)}" y1="${PAD.top}" y2="${HEIGHT - PAD.bottom}" stroke="#eee"/>`);
    parts.push(`<text x="${x(n)}" y="${HEIGHT - PAD.bottom + 18}" text-anchor="middle">${n.toLocaleString('en')}</text>`);
  }
  parts.push(`<text x="${(PAD.left + WIDTH - PAD.right) / 2}" y="${HEIGHT - 12}" text-anchor="middle">N pending handoffs</text>`);
  SERIES.forEach((series, index) => {
    const line = points.filter((p) => p[series.key] > 0).map((p) => `${x(p.n).toFixed(1)},${y(p[series.key]).toFixed(1)}`);
    if (line.length === 0) return;
    parts.push(`<polyline fill="none" stroke="${series.color}" stroke-width="2" points="${line.join(' ')}"/>`);
    for (const point of line) parts.push(`<circle cx="${point.split(',')[0]}" cy="${point.split(',')[1]}" r="3" fill="${series.color}"/>`);
    const ly = PAD.top + 20 + index * 20;
    parts.push(`<line x1="${WIDTH - PAD.right + 15}" x2="${WIDTH - PAD.right + 35}" y1="${ly}" y2="${ly}" stroke="${series.color}" stroke-width="2"/>`);
    parts.push(`<text x="${WIDTH - PAD.right + 40}" y="${ly + 4}">${series.label}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
