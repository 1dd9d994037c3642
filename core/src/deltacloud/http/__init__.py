"""Everything that speaks HTTP (imports falcon): the app factory, middleware, resources, blob streaming, docs."""
