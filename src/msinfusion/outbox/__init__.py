"""The outbox: messages stored before they are sent, sent at most once each, with retries and delivery state.

Not part of the pure core: it talks to the database and to the mail server. The words of every message
come from :mod:`msinfusion.reminders`.
"""

from msinfusion.outbox.config import MailConfig
from msinfusion.outbox.delivery import DeliveryReport, deliver_due, deliver_one

__all__ = ["DeliveryReport", "MailConfig", "deliver_due", "deliver_one"]
