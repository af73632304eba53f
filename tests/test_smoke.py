async def test_login_and_units(api):
    me = await api.login("admin")
    assert me["role"] == "admin"
    status, units = await api.get("/api/units")
    assert status == 200 and len(units) == 9


async def test_openapi_lists_routes(api):
    status, doc = await api.get("/api/openapi.json")
    assert status == 200
    assert "/api/units" in doc["paths"] and "post" in doc["paths"]["/api/units"]
