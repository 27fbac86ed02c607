"""The Telegram bridge: relays chats between Telegram and Rasa's REST channel.

``sportello telegram`` runs it in the foreground: long polling by default, or a webhook
when ``TELEGRAM_WEBHOOK_URL`` is set (``webhook``). Its configuration is the app's settings
(``TELEGRAM_*``, ``RASA_URL``, ``RASA_TIMEOUT``). Each Telegram user is the Rasa sender
``telegram-<user id>``. Replies go out as plain text (no parse mode, so nothing
in them can break Telegram's Markdown), buttons as an inline keyboard.

A message holding a secret is deleted from the chat once read, with a word on why: the
answer when the bot asked for a password or a code, a password-shaped message in the minutes
after it asked (the login gave up, the customer tries once more), and a password or code the
user introduces anywhere («la password è …»; actions/redaction.py). No message text is ever
logged. Each chat may send at most ``RATE_LIMIT_TELEGRAM_CHAT`` messages
(bot/channels/rate_limits.py; Redis when ``REDIS_URL`` is set): past it the bridge says so
once and drops what follows until the window moves on.

During a live hand-over every message still goes to Rasa and also to the operator holding
the chat (bot/channels/live_customer.py); the operator's messages come back to the chat
through a repeating job (live_delivery.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import typer
from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from actions import contract, redaction
from backend import bootstrap, documents, logs, metrics
from backend.errors import InvalidInput
from backend.settings import Settings, get_settings
from bot.channels.live_customer import tell_operator
from bot.channels.rate_limits import RateLimit, storage_for, too_fast
from bot.channels.telegram import live_delivery
from bot.channels.telegram.rasa_client import (
    CallbackPayloads,
    RasaClient,
    RasaUnavailable,
    split_text,
)

log = logging.getLogger(__name__)

APOLOGY = (
    "Mi dispiace, in questo momento non riesco a risponderti. "
    "Riprova tra qualche minuto: il tuo messaggio non è stato elaborato."
)
SECRET_DELETED = "Ho cancellato il tuo messaggio perché conteneva un dato riservato."
STALE_BUTTON = "Questo pulsante non è più valido: scrivimi cosa ti serve."
DOWNLOAD_FAILED = "Non riesco a ricevere il documento: riprova tra poco."
CANNOT_READ = (
    "Posso leggere solo messaggi scritti, oppure una foto o un PDF quando ti chiedo un documento."
)
UNSUPPORTED = (
    filters.Sticker.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.LOCATION
    | filters.CONTACT
)
# What the commands say to the bot.
COMMANDS = {"start": "/greet", "aiuto": "/greet", "annulla": "annulla"}
# chat_data keys: the bot's last reply asked for a secret, when a reply last asked for one;
# one lock per chat keeps order; the chat was told it is over its rate limit.
SECRET_NEXT, SECRET_ASKED_AT = "secret_next", "secret_asked_at"
CHAT_LOCK, TOLD_TOO_FAST = "lock", "told_too_fast"


class Bridge:
    """What the handlers share: the Rasa client, the long-payload table, the chats' limit,
    the backend's database."""

    def __init__(self, rasa: RasaClient, limit: RateLimit, settings: Settings):
        self.rasa = rasa
        self.payloads = CallbackPayloads()
        self.limit = limit
        self.settings = settings

    def unit_of_work(self):
        return bootstrap.unit_of_work(self.settings)


def _bridge(context: ContextTypes.DEFAULT_TYPE) -> Bridge:
    return context.bot_data["bridge"]


def _lock(context: ContextTypes.DEFAULT_TYPE) -> asyncio.Lock:
    return context.chat_data.setdefault(CHAT_LOCK, asyncio.Lock())


async def allowed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Counts one message of the chat; over the limit, says so the first time only (a reply
    to every message of a flood would be a flood of our own)."""
    wait = await _bridge(context).limit.hit(str(update.effective_chat.id))
    if wait is None:
        context.chat_data[TOLD_TOO_FAST] = False
        return True
    if not context.chat_data.get(TOLD_TOO_FAST):
        context.chat_data[TOLD_TOO_FAST] = True
        await context.bot.send_message(update.effective_chat.id, too_fast(wait))
    return False


def sender_id(update: Update) -> str:
    """The Rasa conversation of a Telegram user."""
    return contract.sender_id(contract.TELEGRAM, update.effective_user.id)


async def relay(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    metadata: dict[str, Any] | None = None,
    counted: bool = False,
) -> None:
    """Sends one message to Rasa and its answer to the chat; the caller holds the chat lock
    (and has ``counted`` the message against the chat's limit when it says so)."""
    bridge, chat_id = _bridge(context), update.effective_chat.id
    if not (counted or await allowed(update, context)):
        return
    # The SMS budget counts by "cliente": here the Telegram user, as the conversation is.
    channel = {contract.CHANNEL_KEY: contract.TELEGRAM, contract.CLIENT_KEY: sender_id(update)}
    metrics.MESSAGES.labels(contract.TELEGRAM).inc()
    try:
        reply = await bridge.rasa.send(sender_id(update), text, {**channel, **(metadata or {})})
    except RasaUnavailable as exc:
        log.warning("chat %s: no answer from Rasa (%s)", chat_id, exc)
        await context.bot.send_message(chat_id, APOLOGY)
        return
    # Rasa has it; during a live hand-over the operator holding the chat reads it too.
    await tell_operator(bridge.unit_of_work, sender_id(update), text)
    context.chat_data[SECRET_NEXT] = reply.expects_secret
    if reply.expects_secret:
        context.chat_data[SECRET_ASKED_AT] = time.monotonic()
    for body, buttons in reply.messages:
        pieces = split_text(body)
        keyboard = bridge.payloads.keyboard(buttons)
        for number, piece in enumerate(pieces, 1):
            markup = keyboard if number == len(pieces) else None
            await context.bot.send_message(chat_id, piece, reply_markup=markup)


async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Says /start, /aiuto or /annulla to the bot."""
    name = update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
    async with _lock(context):
        await relay(update, context, COMMANDS[name])


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Relays what the user wrote; deletes it from the chat when it was a secret."""
    message = update.effective_message
    # A leading "/" would make Rasa read the text as an intent with entities: never from users.
    text = message.text.lstrip("/").strip() or "?"
    async with _lock(context):
        if _holds_secret(context.chat_data, text):
            try:
                await message.delete()
            except TelegramError as exc:
                log.warning("chat %s: secret not deleted (%s)", message.chat_id, exc)
            else:
                await context.bot.send_message(message.chat_id, SECRET_DELETED)
        await relay(update, context, text)


def _holds_secret(chat_data: dict, text: str) -> bool:
    """The answer to a secret question, or a secret by actions/redaction.py's rules.

    The bridge does not see when a flow ends: the window runs from the last time the bot
    asked for a secret, which a flow does at most a few steps before it ends.
    """
    if chat_data.get(SECRET_NEXT):
        return True
    asked_at = chat_data.get(SECRET_ASKED_AT)
    in_window = asked_at is not None and (
        time.monotonic() - asked_at <= redaction.SECRET_WINDOW_SECONDS
    )
    return redaction.is_secret_message(text, in_window)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Says a pressed button's payload to the bot."""
    query = update.callback_query
    markup = query.message.reply_markup if query.message else None
    offered = {b.callback_data for row in (markup.inline_keyboard if markup else ()) for b in row}
    payload = _bridge(context).payloads.decode(query.data) if query.data in offered else None
    await query.answer(None if payload else STALE_BUTTON)
    if payload:
        async with _lock(context):
            await relay(update, context, payload)


async def identity_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stores a photo or file as an uploaded document and hands its reference to the bot;
    counted against the chat's limit before anything is downloaded or stored."""
    message = update.effective_message
    if not await allowed(update, context):
        return
    if message.photo:
        attachment, filename = message.photo[-1], "foto.jpg"
    else:
        attachment = message.document
        filename = attachment.file_name or "documento"
    chat_id = message.chat_id
    if (attachment.file_size or 0) > documents.MAX_DOCUMENT_BYTES:
        await context.bot.send_message(
            chat_id, "Il documento supera la dimensione massima di 5 MB."
        )
        return
    try:
        content = bytes(await (await attachment.get_file()).download_as_bytearray())
    except TelegramError as exc:
        log.warning("chat %s: document not downloaded (%s)", chat_id, exc)
        await context.bot.send_message(chat_id, DOWNLOAD_FAILED)
        return
    try:
        reference = await asyncio.to_thread(
            documents.store_upload, bootstrap.unit_of_work(), content
        )
    except InvalidInput as exc:
        await context.bot.send_message(chat_id, exc.message_it)
        return
    async with _lock(context):
        attached = {contract.DOCUMENT_KEY: reference}
        await relay(update, context, f"Documento allegato: {filename}", attached, counted=True)


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Says what the bot can read when it gets a sticker, a voice message, a video..."""
    await context.bot.send_message(update.effective_chat.id, CANNOT_READ)


async def deliver_live_messages(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Sends the operators' messages of the Telegram live chats (a repeating job)."""
    bridge = _bridge(context)
    await live_delivery.deliver(context.bot, bridge.unit_of_work, bridge.payloads)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs a failed update (never its content) and keeps the bridge running."""
    log.error("update failed: %s", type(context.error).__name__, exc_info=context.error)


async def _close(application: Application) -> None:
    await application.bot_data["bridge"].rasa.close()


def build_application(settings: Settings) -> Application:
    """The bridge's python-telegram-bot application, handlers included."""
    if not settings.telegram_bot_token:
        raise RuntimeError("TELEGRAM_BOT_TOKEN is not set")
    application = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.resolved_telegram_api_file_url())
        .rate_limiter(AIORateLimiter(max_retries=3))
        # Chats run side by side; each chat's lock keeps its own messages in order.
        .concurrent_updates(64)
        .post_shutdown(_close)
        .build()
    )
    limit = RateLimit(
        "telegram-chat", settings.rate_limit_telegram_chat, storage_for(settings.redis_url)
    )
    rasa = RasaClient(settings.rasa_url, settings.rasa_timeout)
    application.bot_data["bridge"] = Bridge(rasa, limit, settings)
    interval = settings.telegram_live_interval_seconds
    # One round at a time: a slow one makes the next wait rather than run beside it.
    application.job_queue.run_repeating(
        deliver_live_messages,
        interval,
        first=interval,
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    # Private chats only: a group would share one conversation, and its secrets, with everyone.
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler(list(COMMANDS), command, filters=private))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, text_message))
    application.add_handler(
        MessageHandler(private & (filters.PHOTO | filters.Document.ALL), identity_document)
    )
    application.add_handler(MessageHandler(private & UNSUPPORTED, unsupported))
    application.add_handler(CallbackQueryHandler(button))
    application.add_error_handler(on_error)
    return application


cli = typer.Typer(help="Il bridge Telegram.", invoke_without_command=True)


@cli.callback()
def run() -> None:
    """Run the Telegram bridge in the foreground (TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_URL...)."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level="INFO")
    settings = get_settings()  # checked by the `sportello` command before any subcommand
    logs.configure(settings)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The scheduler logs every run of the live messages' job (every second) at INFO.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    try:
        application = build_application(settings)
    except RuntimeError as exc:
        typer.echo("Imposta TELEGRAM_BOT_TOKEN per avviare il bridge Telegram.", err=True)
        raise typer.Exit(2) from exc
    if settings.telegram_webhook_url:
        from bot.channels.telegram.webhook import serve

        asyncio.run(serve(application, settings))
    else:
        log.info("Telegram bridge polling")
        metrics.serve(settings)
        try:
            # Telegram unreachable at start: keep trying rather than take `make run` down.
            application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)
        except InvalidToken as exc:
            typer.echo("TELEGRAM_BOT_TOKEN non è valido: Telegram lo rifiuta.", err=True)
            raise typer.Exit(2) from exc
