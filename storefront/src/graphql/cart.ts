// The shopper's cart and its changes (each answers the CartResult union).
import { graphql } from "../gql";

export const CartQuery = graphql(`
  query Cart {
    cart {
      totalQuantity
      maxLineQuantity
      subtotal {
        amount
        currency
      }
      lines {
        productId
        quantity
        lineTotal {
          amount
          currency
        }
        product {
          id
          name
          stock
          price {
            amount
            currency
          }
        }
      }
    }
  }
`);

export const AddToCartMutation = graphql(`
  mutation AddToCart($productId: ID!, $quantity: Int!) {
    addToCart(productId: $productId, quantity: $quantity) {
      __typename
      ... on Cart {
        totalQuantity
      }
      ... on OutOfStock {
        productId
        requested
        available
        message
      }
      ... on ValidationError {
        message
        fields {
          field
          message
        }
      }
      ... on NotFound {
        id
        message
      }
      ... on Conflict {
        message
      }
      ... on Unavailable {
        message
      }
    }
  }
`);

export const SetCartQuantityMutation = graphql(`
  mutation SetCartQuantity($productId: ID!, $quantity: Int!) {
    setCartQuantity(productId: $productId, quantity: $quantity) {
      __typename
      ... on Cart {
        totalQuantity
      }
      ... on OutOfStock {
        productId
        requested
        available
        message
      }
      ... on ValidationError {
        message
        fields {
          field
          message
        }
      }
      ... on NotFound {
        id
        message
      }
      ... on Conflict {
        message
      }
      ... on Unavailable {
        message
      }
    }
  }
`);

export const RemoveFromCartMutation = graphql(`
  mutation RemoveFromCart($productId: ID!) {
    removeFromCart(productId: $productId) {
      __typename
      ... on Cart {
        totalQuantity
      }
      ... on Unavailable {
        message
      }
    }
  }
`);

export const ClearCartMutation = graphql(`
  mutation ClearCart {
    clearCart {
      __typename
    }
  }
`);
