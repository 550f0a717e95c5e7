"""The names of a verdict's sections, shared by the flows (msgids; `Heading` in a message)."""

from bot.core.flow import N_, Heading

HOW_IT_GOES = Heading(N_("How it goes"), tick=True)
YOUR_OPTIONS = Heading(N_("Your options"))
RESIDUAL_LOAN = Heading(N_("Your residual-value loan"))
PRIVATE_SALE = Heading(N_("Selling to a private person"), tick=True)
WHO_TO_CALL = Heading(N_("Who to call"), tick=True)
CAR_TAX = Heading(N_("Tax"))
DOCUMENTS = Heading(N_("Documents"), tick=True)
WATCH_OUT = Heading(N_("Watch out"))
IF_MISSED = Heading(N_("If the payment is missed"))
ABOUT = Heading(N_("About this information"))
WHAT_TO_DO = Heading(N_("What to do"), tick=True)
THE_LAW = Heading(N_("What the law says"))
COURT = Heading(N_("If it goes to court"))
CREDIT_RECORD = Heading(N_("Credit record"))
COLLECTION = Heading(N_("Collection and where to complain"))
INTEREST = Heading(N_("Interest and penalties"))
AGREEMENT = Heading(N_("The instalment agreement"))
