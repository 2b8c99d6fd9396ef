"""The outbox: notices and webhook deliveries queued in the transaction of the change they
report, and the sellers' notification preferences.

It sits below the domains (cases and sellers queue into it) and knows them by key only;
delivery — SMTP, DKIM, webhook posts, verification — lives above them in ``kenzen.notify``.
"""
