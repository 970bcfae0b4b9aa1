'use strict';
// Webhook delivery: like Telegram, every update is kept and POSTed to the bot's webhook URL,
// one at a time per bot (so in order), retried with back-off until the bot answers 2xx.
const { TelegramServer } = require('telegram-test-api/lib/telegramServer');
const { sleep } = require('./core');

const ATTEMPTS = 8;
const FIRST_BACKOFF_MS = 100;
const REQUEST_TIMEOUT_MS = 10000;

function wanted(hook, update) {
  const kind = update.callbackQuery ? 'callback_query' : 'message';
  return !hook.allowed_updates || !hook.allowed_updates.length
    || hook.allowed_updates.includes(kind);
}

async function post(hook, body) {
  const headers = { 'content-type': 'application/json' };
  if (hook.secret_token) headers['x-telegram-bot-api-secret-token'] = hook.secret_token;
  const response = await fetch(hook.url, {
    method: 'POST', headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await response.arrayBuffer();
  return response.status;
}

async function deliver(server, token, update) {
  const entry = { token, update_id: update.updateId, status: 0, attempts: 0 };
  server.kefu.webhookLog.push(entry);
  const body = JSON.stringify(TelegramServer.formatUpdate(update));
  for (let backoff = FIRST_BACKOFF_MS; entry.attempts < ATTEMPTS; backoff *= 2) {
    const hook = server.webhooks[token];
    if (!hook) return; // deleted meanwhile: the update waits for getUpdates
    entry.attempts += 1;
    try {
      entry.status = await post(hook, body);
      delete entry.error;
      if (entry.status >= 200 && entry.status < 300) {
        update.webhookDelivered = true;
        return;
      }
    } catch (err) {
      entry.error = String(err.cause ? err.cause.code || err.cause : err.message);
    }
    await sleep(backoff);
  }
}

// Replaces the package's version, which POSTs once (without the secret token) and then
// forgets the update, so callbacks and replies could not find it any more.
async function addUserUpdate(update) {
  if (!update.botToken) throw new Error('an update needs its botToken');
  this.storage.userMessages.push(update);
  this.updateId++;
  const token = update.botToken;
  const hook = this.webhooks[token];
  if (!hook) return;
  if (!wanted(hook, update)) {
    update.webhookDelivered = true; // Telegram drops what the bot did not ask for
    return;
  }
  this.kefuHookChains = this.kefuHookChains || new Map();
  const previous = this.kefuHookChains.get(token) || Promise.resolve();
  this.kefuHookChains.set(token, previous.then(() => deliver(this, token, update)));
}

TelegramServer.prototype.addUserUpdate = addUserUpdate;

module.exports = { addUserUpdate };
