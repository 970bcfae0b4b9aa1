'use strict';
// Test-control routes under /_test/ (the "user" side and knobs). Documented in ../README.md.
const {
  MEMBER_FIELDS, deleteMessage, removeTopic,
} = require('./botapi');
const {
  botUser, botWaiters, chatFor, documentOf, newState, nowSecs, num, photoSizes, storeFile, topicsOf, waitFor,
} = require('./core');

class ControlError extends Error {}

function need(body, ...keys) {
  for (const k of keys) {
    if (body[k] === undefined || body[k] === null || body[k] === '') throw new ControlError(`missing ${k}`);
  }
}

function rememberUser(state, b) {
  const user = { id: Number(b.userId), is_bot: false, first_name: b.firstName || `User ${b.userId}` };
  if (b.lastName) user.last_name = b.lastName;
  if (b.username) user.username = b.username;
  if (b.languageCode) user.language_code = b.languageCode;
  state.users.set(String(b.userId), user);
  return user;
}

function rememberChat(state, b, user) {
  const id = Number(b.chatId);
  const type = b.chatType || (id > 0 ? 'private' : 'supergroup');
  if (type === 'private') {
    const chat = { id, type, first_name: user.first_name };
    if (user.username) chat.username = user.username;
    state.chats.set(String(id), chat);
    return chat;
  }
  const known = state.chats.get(String(id)) || {};
  const chat = { ...known, id, type, title: b.chatTitle || known.title || `Group ${id}` };
  state.chats.set(String(id), chat);
  return chat;
}

function commandEntities(text) {
  if (!text || !text.startsWith('/')) return undefined;
  const end = text.search(/\s/);
  return [{ type: 'bot_command', offset: 0, length: end === -1 ? text.length : end }];
}

function attachFile(state, b, message) {
  if (!b.fileId) return;
  const file = state.files.get(String(b.fileId));
  if (!file) throw new ControlError(`unknown fileId ${b.fileId} (upload it via /_test/files)`);
  if (b.fileKind === 'document') message.document = documentOf(file);
  else message.photo = photoSizes(file);
  if (b.caption) message.caption = String(b.caption);
}

// The message a user replies to, as Telegram nests it: one level deep, same chat only.
function repliedMessage(server, chatId, id) {
  const bot = server.storage.botMessages.find((e) => e.messageId === id
    && String(e.message.chat_id) === String(chatId));
  const user = server.storage.userMessages.find((u) => u.message && !u.callbackQuery
    && u.messageId === id && String(u.message.chat.id) === String(chatId));
  const found = bot ? bot.formatted : user && user.message;
  if (!found) throw new ControlError(`no message ${id} in chat ${chatId} to reply to`);
  const { reply_to_message: _nested, botToken: _token, ...flat } = found;
  return flat;
}

// Telegram puts a reply into its thread: a forum topic, or (in a supergroup without topics)
// the reply chain rooted at the first message, without is_topic_message.
function threadOfReply(chat, replied) {
  if (replied.message_thread_id) return replied.message_thread_id;
  return chat.type === 'supergroup' && !chat.is_forum ? replied.message_id : undefined;
}

function placeMessage(server, b, chat, message) {
  const replied = num(b.replyToMessageId)
    ? repliedMessage(server, chat.id, num(b.replyToMessageId)) : undefined;
  const thread = num(b.threadId) || (replied && threadOfReply(chat, replied));
  if (thread) {
    message.message_thread_id = thread;
    if (chat.is_forum) message.is_topic_message = true;
  }
  if (replied) message.reply_to_message = replied;
}

// With awaitReply (seconds), also waits for the bot's next message in the chat: `replies`.
async function userMessage(server, b, res) {
  need(b, 'token', 'userId', 'chatId');
  const state = server.kefu;
  const from = rememberUser(state, b);
  const chat = rememberChat(state, b, from);
  const common = server.getCommonFields(b.token);
  const message = { message_id: common.messageId, from, chat, date: nowSecs() };
  placeMessage(server, b, chat, message);
  if (b.text !== undefined) message.text = String(b.text);
  const entities = commandEntities(message.text);
  if (entities) message.entities = entities;
  attachFile(state, b, message);
  const version = state.versions.get(String(chat.id)) || 0;
  await server.addUserUpdate({ ...common, message });
  server.messageId++;
  server.emit('AddedUserMessage');
  const sent = { update_id: common.updateId, message_id: common.messageId, message };
  if (!num(b.awaitReply)) return sent;
  const q = { chatId: chat.id, afterMessageId: common.messageId, waitVersion: version };
  const replies = [];
  const deadline = Date.now() + num(b.awaitReply) * 1000;
  while (!replies.length && Date.now() < deadline && !res.destroyed) {
    const answer = await botMessages(server, { ...q, timeout: (deadline - Date.now()) / 1000 }, res);
    q.waitVersion = answer.version;
    replies.push(...answer.messages);
  }
  return { ...sent, replies };
}

function buttonsOf(message) {
  const rows = (message.reply_markup && message.reply_markup.inline_keyboard) || [];
  return rows.flat().map((button) => button.callback_data).filter((d) => d !== undefined);
}

async function callback(server, b) {
  need(b, 'token', 'userId', 'chatId', 'messageId', 'data');
  const state = server.kefu;
  const entry = server.storage.botMessages.find((e) => e.messageId === Number(b.messageId)
    && String(e.message.chat_id) === String(b.chatId));
  if (!entry) throw new ControlError(`no bot message ${b.messageId} in chat ${b.chatId}`);
  const buttons = buttonsOf(entry.formatted);
  if (b.check !== false && !buttons.includes(b.data)) {
    throw new ControlError(`message ${b.messageId} has no button with callback_data `
      + `${JSON.stringify(b.data)} (has ${JSON.stringify(buttons)})`);
  }
  const from = state.users.get(String(b.userId)) || rememberUser(state, b);
  const id = String(server.callbackId);
  const updateId = server.updateId;
  await server.addUserCallback({
    botToken: b.token, from, message: entry.formatted, data: String(b.data),
  });
  return { update_id: updateId, callback_query_id: id };
}

function chatMessages(server, q) {
  const thread = num(q.threadId);
  const after = num(q.afterMessageId) || 0;
  return server.storage.botMessages
    .filter((e) => String(e.message.chat_id) === String(q.chatId) && e.messageId > after)
    .filter((e) => !thread || e.formatted.message_thread_id === thread)
    .map((e) => ({ ...e.formatted, raw: e.message }));
}

// Answers at once, or (with waitVersion) when the chat's bot messages change past that version.
async function botMessages(server, q, res) {
  need(q, 'chatId');
  const key = String(q.chatId);
  const version = () => server.kefu.versions.get(key) || 0;
  const known = num(q.waitVersion);
  const deadline = Date.now() + Math.min(num(q.timeout) || 0, 60) * 1000;
  while (known !== undefined && version() <= known && Date.now() < deadline && !res.destroyed) {
    await waitFor(botWaiters(server, key), deadline - Date.now(), res);
  }
  return { version: version(), messages: chatMessages(server, q) };
}

function setChatMember(server, b) {
  need(b, 'chatId', 'userId', 'status');
  const aliases = { owner: 'creator', banned: 'kicked', admin: 'administrator' };
  const status = aliases[b.status] || b.status;
  if (!MEMBER_FIELDS[status]) throw new ControlError(`unknown status ${b.status}`);
  chatFor(server.kefu, b.chatId);
  server.kefu.members.set(`${b.chatId}:${b.userId}`, status);
  return { chatId: b.chatId, userId: b.userId, status };
}

function setChat(server, b) {
  need(b, 'chatId');
  const chat = { ...chatFor(server.kefu, b.chatId) };
  if (b.type) chat.type = b.type;
  if (b.title) chat.title = b.title;
  if (b.isForum !== undefined) {
    if (b.isForum) Object.assign(chat, { type: 'supergroup', is_forum: true });
    else delete chat.is_forum;
  }
  if (chat.type !== 'private') {
    chat.title = chat.title || `Group ${chat.id}`;
    delete chat.first_name;
  }
  server.kefu.chats.set(String(b.chatId), chat);
  return chat;
}

function addFault(server, b) {
  need(b, 'method');
  const fault = {
    method: String(b.method).toLowerCase(),
    status: num(b.status) || 0,
    retry_after: num(b.retry_after),
    description: b.description,
    count: num(b.count) ?? 1,
    delay_ms: num(b.delay_ms) || 0,
    chat_id: b.chat_id === undefined || b.chat_id === null ? undefined : String(b.chat_id),
  };
  if (!fault.status && !fault.delay_ms) throw new ControlError('a fault needs status or delay_ms');
  server.kefu.faults.push(fault);
  return fault;
}

function uploadFile(server, b) {
  need(b, 'base64');
  const data = Buffer.from(b.base64, 'base64');
  const kind = b.kind === 'document' ? 'document' : 'photo';
  const { data: _bytes, ...file } = storeFile(server, { data, mime: b.mime, filename: b.name }, kind);
  return file;
}

function reset(server) {
  server.storage.userMessages = [];
  server.storage.botMessages = [];
  server.webhooks = {};
  server.kefuHookChains = new Map();
  server.kefu = newState();
  return { reset: true };
}

function topics(server, q) {
  need(q, 'chatId');
  return [...topicsOf(server.kefu, q.chatId).values()];
}

// A member deletes a forum topic in the app: the topic and every message in it are gone.
function deleteTopic(server, b) {
  need(b, 'chatId', 'threadId');
  const p = { chat_id: b.chatId, message_thread_id: b.threadId };
  removeTopic({ server, state: server.kefu, p });
  server.storage.userMessages = server.storage.userMessages.filter((u) => !(u.message
    && String(u.message.chat.id) === String(b.chatId)
    && u.message.message_thread_id === num(b.threadId)));
  return { deleted: true };
}

function webhook(server, q) {
  need(q, 'token');
  const hook = server.webhooks[q.token];
  const log = server.kefu.webhookLog.filter((d) => d.token === q.token);
  return { url: hook ? hook.url : '', deliveries: log };
}

function calls(server, q) {
  const method = q.method && String(q.method).toLowerCase();
  return server.kefu.calls.filter((c) => !method || c.method.toLowerCase() === method);
}

const ROUTES = [
  ['get', 'health', () => ({ ok: true, bot: botUser('0') })],
  ['post', 'reset', reset],
  ['post', 'userMessage', userMessage],
  ['post', 'callback', callback],
  ['get', 'botMessages', botMessages],
  ['get', 'calls', calls],
  ['get', 'stats', (s) => s.kefu.counts],
  ['post', 'setChatMember', setChatMember],
  ['post', 'setChat', setChat],
  ['get', 'topics', topics],
  ['post', 'deleteTopic', deleteTopic],
  ['post', 'deleteMessage', (s, b) => {
    need(b, 'chatId', 'messageId');
    return deleteMessage({ server: s, p: { chat_id: b.chatId, message_id: b.messageId } });
  }],
  ['get', 'webhook', webhook],
  ['get', 'faults', (s) => s.kefu.faults],
  ['post', 'faults', addFault],
  ['delete', 'faults', (s) => { s.kefu.faults = []; return []; }],
  ['post', 'files', uploadFile],
  ['get', 'commands', (s) => [...s.kefu.commands].map(([key, commands]) => ({ key, commands }))],
  ['get', 'callbackAnswers', (s) => Object.fromEntries(s.kefu.answers)],
];

function installControlRoutes(app, server) {
  for (const [verb, name, handler] of ROUTES) {
    app[verb](`/_test/${name}`, async (req, res) => {
      const input = verb === 'get' ? req.query : (req.body || {});
      try {
        res.json(await handler(server, input, res));
      } catch (err) {
        const status = err instanceof ControlError || err.code === 400 ? 400 : 500;
        res.status(status).json({ error: err.description || err.message });
      }
    });
  }
}

module.exports = { installControlRoutes };
