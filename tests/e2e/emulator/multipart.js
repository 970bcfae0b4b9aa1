'use strict';
// Minimal multipart/form-data reader for Bot API uploads (sendPhoto, sendDocument).
// PTB sends plain parameters as text parts and files as parts with a filename.

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseHeaders(text) {
  const headers = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

function dispositionParam(disposition, key) {
  const m = new RegExp(`${key}="([^"]*)"`, 'i').exec(disposition || '');
  return m ? m[1] : undefined;
}

function splitParts(body, boundary) {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const from = start + delimiter.length;
    if (body.slice(from, from + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, from);
    if (next === -1) break;
    parts.push(body.slice(from + 2, next - 2)); // strip CRLF after delimiter and before next
    start = next;
  }
  return parts;
}

// Returns {fields: {name: string}, files: {name: {data, filename, mime}}}.
async function parseMultipart(req) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.headers['content-type'] || '');
  const boundary = m && (m[1] || m[2]);
  const result = { fields: {}, files: {} };
  if (!boundary) return result;
  const body = await readBody(req);
  for (const part of splitParts(body, boundary)) {
    const sep = part.indexOf('\r\n\r\n');
    if (sep === -1) continue;
    const headers = parseHeaders(part.slice(0, sep).toString('utf8'));
    const data = part.slice(sep + 4);
    const disposition = headers['content-disposition'];
    const name = dispositionParam(disposition, 'name');
    const filename = dispositionParam(disposition, 'filename');
    if (!name) continue;
    if (filename !== undefined) {
      result.files[name] = { data, filename, mime: headers['content-type'] };
    } else {
      result.fields[name] = data.toString('utf8');
    }
  }
  return result;
}

module.exports = { parseMultipart };
