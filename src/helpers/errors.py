"""The one error a document can end in: a one-line message naming its problem."""


class DocumentError(Exception):
    """A document that cannot be processed; the message is one line naming the problem."""
