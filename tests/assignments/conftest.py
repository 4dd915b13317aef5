from tests.mail.test_outbox import Inbox, inbox

__all__ = ["Inbox", "inbox"]
