'use strict';
// Makes telegram-test-api 4.2.1 a Bot API peer that python-telegram-bot 22 accepts.
// Must be required before `new TelegramServer()`: the constructor registers `routes`, so our
// installer is prepended and its handlers answer first; unknown methods get a JSON 404.
const express = require('express');
const { routes } = require('telegram-test-api/lib/routes/index');
const { TelegramServer } = require('telegram-test-api/lib/telegramServer');
const { BOT_METHODS, PASS_THROUGH } = require('./botapi');
const { installControlRoutes } = require('./control');
const {
  ApiError, newState, sleep, toSecs, wakeAll,
} = require('./core');
const { parseMultipart } = require('./multipart');
require('./webhook');

const MAX_CALLS_LOGGED = 20000;
const BAD_GATEWAY = '<html><head><title>502 Bad Gateway</title></head><body>'
  + '<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
const DEFAULT_DESCRIPTIONS = {
  400: 'Bad Request',
  403: 'Forbidden: bot was blocked by the user',
  500: 'Internal Server Error',
};

function sendApiError(res, err) {
  if (res.headersSent) return;
  if (!(err instanceof ApiError)) {
    console.error(err); // eslint-disable-line no-console
    err = new ApiError(500, `Internal Server Error: ${err.message}`);
  }
  const body = { ok: false, error_code: err.code, description: err.description };
  if (err.parameters) body.parameters = err.parameters;
  res.status(err.code).json(body);
}

function record(state, method, token, p) {
  state.counts[method] = (state.counts[method] || 0) + 1;
  state.calls.push({ method, token, params: p, time: Date.now() / 1000 });
  if (state.calls.length > MAX_CALLS_LOGGED) state.calls.shift();
}

function takeFault(state, method, p) {
  const i = state.faults.findIndex((f) => (f.method === '*' || f.method === method.toLowerCase())
    && (f.chat_id === undefined || f.chat_id === String(p.chat_id)));
  if (i === -1) return null;
  const fault = state.faults[i];
  fault.count -= 1;
  if (fault.count === 0) state.faults.splice(i, 1); // a negative count never runs out
  return fault;
}

// Returns true when the fault answered the request itself.
async function applyFault(state, method, p, res) {
  const fault = takeFault(state, method, p);
  if (!fault) return false;
  if (fault.delay_ms) await sleep(fault.delay_ms);
  if (!fault.status) return false;
  if (fault.status === 502) {
    res.status(502).type('html').send(BAD_GATEWAY);
    return true;
  }
  const retry = fault.retry_after;
  const description = fault.description || (fault.status === 429
    ? `Too Many Requests: retry after ${retry || 1}` : DEFAULT_DESCRIPTIONS[fault.status] || 'Error');
  const parameters = fault.status === 429 ? { retry_after: retry || 1 } : undefined;
  sendApiError(res, new ApiError(fault.status, description, parameters));
  return true;
}

async function requestParams(req) {
  const params = { ...req.query, ...(req.body || {}) };
  if (!/multipart\/form-data/i.test(req.headers['content-type'] || '')) return { params, files: {} };
  const { fields, files } = await parseMultipart(req);
  return { params: { ...params, ...fields }, files };
}

function installBotApi(app, server) {
  app.all('/bot:token/:method', async (req, res, next) => {
    try {
      const { token, method } = req.params;
      const { params, files } = await requestParams(req);
      record(server.kefu, method, token, params);
      if (await applyFault(server.kefu, method, params, res)) return;
      const handler = BOT_METHODS[method.toLowerCase()];
      if (!handler) {
        if (PASS_THROUGH.has(method.toLowerCase())) { next(); return; }
        throw new ApiError(404, `Not Found: method ${method} is not implemented by the e2e`
          + ' emulator (tests/e2e/emulator/botapi.js)');
      }
      const result = await handler({ server, state: server.kefu, token, p: params, files, res });
      if (!res.headersSent) res.json({ ok: true, result });
    } catch (err) {
      sendApiError(res, err);
    }
  });
}

function installFileDownloads(app, server) {
  app.get('/file/bot:token/*', (req, res) => {
    const file = [...server.kefu.files.values()].find((f) => f.file_path === req.params[0]);
    if (!file) {
      res.status(404).json({ ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    res.type(file.mime_type || 'application/octet-stream').send(file.data);
  });
}

function install(app, server) {
  server.kefu = newState();
  server.kefuFileSeq = 1;
  server.kefuUserWaiters = new Set();
  server.kefuBotWaiters = new Map(); // chat id -> Set of waiters
  for (const event of ['AddedUserMessage', 'AddedUserCommand', 'AddedUserCallbackQuery']) {
    server.on(event, () => wakeAll(server.kefuUserWaiters));
  }
  installControlRoutes(app, server);
  installFileDownloads(app, server);
  installBotApi(app, server);
}

// Updates: dates in seconds, no internal fields, callback queries with chat_instance.
const originalFormatUpdate = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = (update) => {
  const out = originalFormatUpdate(update);
  if (out.callback_query) {
    const { message } = out.callback_query;
    const chatId = message && message.chat ? message.chat.id : 0;
    out.callback_query.chat_instance = `ci${Math.abs(chatId)}`;
    if (message) out.callback_query.message = { ...message, date: toSecs(message.date) };
  } else if (out.message) {
    const { botToken: _token, ...message } = out.message;
    out.message = { ...message, date: toSecs(message.date || update.time) };
  }
  return out;
};

// Not used by our routes, but keep the package's own helper honest about dates too.
const originalAddBotMessage = TelegramServer.prototype.addBotMessage;
TelegramServer.prototype.addBotMessage = function addBotMessage(rawMessage, botToken) {
  const msg = originalAddBotMessage.call(this, rawMessage, botToken);
  return { ...msg, date: toSecs(msg.date) };
};

// The constructor installs express.json()/urlencoded() with a 100 kB limit: too small for
// /_test/files screenshots (base64) and long Bot API requests.
for (const name of ['json', 'urlencoded']) {
  const original = express[name];
  if (!original.kefuPatched) {
    express[name] = (options) => original({ limit: '50mb', ...options });
    express[name].kefuPatched = true;
  }
}

if (!routes.includes(install)) routes.unshift(install);

module.exports = { install };
