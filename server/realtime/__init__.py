"""socket.io on the aiohttp app: connections, the event table, delivery of Notices, the sweep."""
