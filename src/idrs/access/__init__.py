"""Need-to-know access: catalogue, facts, Cedar policies, decisions, grants, oversight."""
