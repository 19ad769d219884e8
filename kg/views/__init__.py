"""The data of the app's pages, one module per page (named like ``app_pages/<page>.py``)."""
