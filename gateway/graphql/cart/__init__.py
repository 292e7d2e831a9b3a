"""The shopper's cart: types, the `cart` query and its mutations."""
