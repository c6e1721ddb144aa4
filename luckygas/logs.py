import logging


class WithoutTraceback(logging.Filter):
    """Keeps a record's message and drops the traceback it carries."""

    def filter(self, record):
        record.exc_info = None
        record.exc_text = None
        return True
