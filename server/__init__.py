"""fayuan server: the aiohttp application, its domains and its storage."""
