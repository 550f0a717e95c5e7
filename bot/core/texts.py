"""Every sentence the engine itself says (the flows' sentences live in `flows/`).

English source strings; the Japanese and Chinese text is in `locales/`.
"""

from bot.core.i18n import N_

# Shown before we know the user's language, so it is written in both.
CHOOSE_LANGUAGE = "言語を選んでください。\n请选择语言。"

WELCOME = N_(
    "Hello, I'm Zansai. I help you think through a debt that is still left on a loan, "
    "step by step. What I say is general information, not legal or financial advice."
)
MENU = N_("What would you like to talk about?")
MENU_NOT_UNDERSTOOD = N_("Please choose one of the consultations below.")
LANGUAGE_SET = N_("OK, let's continue in English.")
# The start of /help; a line for each command follows (bot/core/commands.py).
HELP = N_(
    "I ask a few questions and then explain your options: the numbers, the steps, "
    "the documents and the pitfalls.\n\n"
    "Choose one of the options, or type your answer in your own words."
)
UNKNOWN_COMMAND = N_("I don't know that command. Send /help to see what I understand.")
STALE_BUTTON = N_("That button belongs to an earlier question. Here is the current one again.")
NOT_UNDERSTOOD = N_(
    "I couldn't match that to one of the answers ({options}). Tap the one that fits, or say "
    "it in other words."
)
NOT_UNDERSTOOD_AGAIN = N_(
    "Sorry, I still couldn't tell which answer you mean. Tapping one of the buttons below is "
    "the surest way. If none of them fits your case, /help explains what I can do."
)
# TRANSLATORS: {question} is the title of a later question ("Overdue principal")
LATER_QUESTION = N_(
    "That answers a later question ({question}); I'll ask it when we get there. First, "
    "this one:"
)
SIDE_QUESTION = N_(
    "I can't answer other questions in the middle of a consultation; the result at the end "
    "covers the steps, the documents and the pitfalls. For now, please answer this question:"
)
# TRANSLATORS: an amount the user said approximately ("120万くらい"), said back: 約120万円
# TRANSLATORS: the heading of the list of laws and official sources under a verdict (根拠 / 依据)
SOURCES = N_("Sources")
ABOUT = N_("about {amount}")
# TRANSLATORS: the highest of several offers the user typed, said back: 145万円（最高額）
HIGHEST = N_("{amount} (the highest offer)")
CORRECTED = N_("OK, I've changed it. {question}: {answer}.")
CLARIFY_WHICH = N_("Which of these do you mean?")
CLARIFY_ONE = N_(
    "Did you mean “{option}”? If so, tap it or type “yes”; if not, tell me in other words."
)
AMOUNT_UNREADABLE = N_(
    "I couldn't read that as an amount. Please type it with numbers, for example {example}."
)
AMOUNT_SEVERAL = N_(
    "I see more than one amount there. Please type only the amount I asked for, as one "
    "figure, for example {example}. If it is made of several parts, add them up."
)
AMOUNT_UNREADABLE_AGAIN = N_(
    "Sorry, I still couldn't find an amount in that. Please type just the figure in digits, "
    "for example {example}."
)
AMOUNT_NEGATIVE = N_("An amount can't be negative. Please type it again, for example {example}.")
AMOUNT_TOO_LARGE = N_(
    "That number is too large to be right. Please check it, for example {example}."
)
AMOUNT_EXACT = N_(
    "Please type one figure rather than a limit or a range (\"almost\", \"more than\", "
    "\"80 to 90\"), for example {example}."
)
AMOUNT_OTHER_CURRENCY = N_(
    "This consultation counts in {currency}. Please type the amount in {currency}, for "
    "example {example}."
)
CURRENCY_NAMES = {"JPY": N_("yen"), "CNY": N_("yuan")}
NUMBER_UNREADABLE = N_(
    "I couldn't read that as a number. Please type it with digits, for example {example}."
)
NUMBER_OUT_OF_RANGE = N_(
    "Please type a number from {minimum} to {maximum}, for example {example}."
)
DURATION_UNREADABLE = N_(
    "Please type how long with a number and a unit (days, weeks, months or years), for "
    "example {example}."
)
DATE_UNREADABLE = N_(
    "I couldn't read that as a date. Please type the year, month and day, for example "
    "{example}."
)
AMOUNT_OR_OPTION = N_("Type the amount, or tap a button.")
CONFIRM_AMOUNT = N_("You entered {amount}. That is unusually large. Is it correct?")
CONFIRM_NEAR = N_(
    "You wrote about {amount}. The advice changes at {boundary}, so the exact figure matters: "
    "is {amount} right? If not, type the exact amount."
)
CONFIRM_RANGE = N_(
    "You gave a range. Is about {amount}, its middle, right? If not, type the exact amount."
)
CONFIRM_SUM = N_(
    "You gave several amounts. Together they make {amount}: is that the figure? If not, "
    "type the exact amount."
)
CONFIRM_SMALL = N_("You entered {amount}. Did you mean {alt}?")
CONFIRM_YES = N_("Yes, that's right")
CONFIRM_NO = N_("No, I'll type it again")
RETYPE_AMOUNT = N_("OK, please type the amount again.")
BACK_NOTHING = N_("There is no answer to undo yet.")
BACK_DONE = N_("OK, back one step.")
RESTARTED = N_("OK, let's start again from the beginning.")
SUMMARY = N_("Your answers so far:")
SUMMARY_EMPTY = N_("You haven't answered anything yet.")
SUMMARY_NO_FLOW = N_("No consultation is open. Send /start to choose one.")
FORGOTTEN = N_(
    "Everything stored about you has been deleted. Send /start if you'd like to begin again."
)
FINISHED = N_(
    "This consultation is complete. You can save your plan as a file, go back one step "
    "with /back, start again, or choose another consultation."
)
FINISHED_RESTART = N_("Start again")
FINISHED_MENU = N_("Other consultations")
FINISHED_SAVE = N_("Save my plan")
ALREADY_HAVE = N_("I have that already ({question}: {answer}).")
WELCOME_THANKS = N_("You're welcome. I hope it goes well.")
AFTER_VERDICT_TYPED = N_(
    "I couldn't read that as a change to one of your answers. To change one, say it with its "
    "new value (for example 査定は130万でした / 其实本金是6万), or use /back."
)
EXPORT_SENT = N_(
    "Here is your plan as a file: your numbers, the steps to tick off, the documents and the "
    "sources. Open it in a browser to read or print it. It holds only what you entered, and "
    "no copy is kept here."
)
EXPORT_NOTHING = N_("There is no plan to save yet: finish a consultation first.")
EXPORT_TITLE = N_("My plan: {title}")
EXPORT_DATE = N_("Made on {date} with Zansai")
EXPORT_ANSWERS = N_("Your answers")
EXPORT_FOOTER = N_(
    "General information, not legal or financial advice. This file was made for you and "
    "holds only what you entered; no copy was kept."
)
YEN = N_("{amount} yen")
YUAN = N_("{amount} yuan")
DURATION_DAYS = N_("{count} days")
DURATION_WEEKS = N_("{count} weeks")
DURATION_MONTHS = N_("{count} months")
DURATION_YEARS = N_("{count} years")
SUMMARY_LINE = N_("{question}: {answer}")
SUMMARY_RESULT = N_("Result: {headline}")
CONSOLE_QUIT = N_("Type /quit to leave; your answers are kept for next time.")
CONSOLE_SAVED = N_("Saved: {path}")
CONSOLE_SAVE_FAILED = N_("Could not save the file there ({error}). Try /export with another path.")
RESUMED = N_("Welcome back. Let's continue where you left off (/restart starts over).")

# Telegram adapter
# The bot's profile (setMyDescription, setMyShortDescription): shown before the first /start.
# TRANSLATORS: the bot's description, at most 250 characters; {days}: as in /privacy
BOT_DESCRIPTION = N_(
    "Zansai helps you think through a debt still left on a loan: selling a car in Japan that "
    "still has a loan on it, or an overdue credit card in mainland China. Answer a few "
    "questions and it explains the numbers, the steps, the documents and the pitfalls. "
    "General information, not legal or financial advice. Privacy: only your answers are "
    "kept, deleted after {days} days without use or at once with /forget (more: /privacy)."
)
# TRANSLATORS: the bot's short description, at most 65 characters
BOT_SHORT_DESCRIPTION = N_(
    "A car with a loan left (Japan), an overdue credit card (China): your options, step by "
    "step. General information, not advice."
)
# Said in a group, where we know no one's language, so it is written in both (like CHOOSE_LANGUAGE).
PRIVATE_ONLY = "ご相談は個別チャットでお願いします。/ 咨询请私聊我。"
TRY_AGAIN = N_("Sorry, something went wrong on my side. Please try again.")
BUTTON_INVALID = N_("This button is no longer valid.")
TEXT_ONLY = N_("I can only read text. Please type your answer or tap a button.")
COMMAND_START = N_("Choose a consultation")
COMMAND_BACK = N_("Undo your last answer")
COMMAND_RESTART = N_("Start this consultation again")
COMMAND_LANG = N_("Switch between Japanese and Chinese")
COMMAND_SUMMARY = N_("Show your answers so far")
COMMAND_HELP = N_("How to use this bot")
COMMAND_HELP_LINE = N_("Show this message")  # /help's own line in /help
COMMAND_FORGET = N_("Delete everything stored about you")
COMMAND_EXPORT = N_("Save the plan of a finished consultation as a file")
COMMAND_PRIVACY = N_("What is stored about you, and for how long")
# What /privacy says must stay true of bot/storage/ ({days}: the session TTL, rounded up).
# TRANSLATORS: /privacy; {days}: days without a message after which everything is deleted
PRIVACY = N_(
    "What I keep about you, and for how long:\n\n"
    "• What: your answers in the consultation (the options you chose and the amounts and "
    "dates read from them, not the words you typed), your language, where you are in the "
    "consultation, and the numbers Telegram gives your recent messages, so that none is "
    "answered twice.\n"
    "• Where: on the server this bot runs on, under your Telegram user ID. The logs hold no "
    "text you typed, no amounts and no user IDs. To slow down floods, the bot also counts "
    "how fast each chat writes, in memory only.\n"
    "• How long: everything is deleted automatically about {days} days after your last "
    "message; the message numbers are kept for one day, or at most as long as the rest.\n"
    "• /forget deletes all of it at once and resets this chat's command menu. The messages "
    "of this chat are kept by Telegram, not by me: to remove them, delete the chat in "
    "Telegram. A plan file is made when you ask for it and is not kept."
)
EDIT_NOT_READ = N_(
    "Edits of older messages are not read. To change an answer, send it again as a new "
    "message, or use /back."
)
EDIT_UNREAD = N_(
    "I couldn't read your edited message as an answer to “{question}”, so it stays "
    "“{answer}”. To change it, send the new answer as a message, or use /back."
)
SLOW_DOWN = N_(
    "You're sending messages faster than I can answer. Please wait a few seconds, then go on."
)
