// Every operation the storefront sends. `npm run codegen` checks each against
// ../gateway/schema.graphql and types it (src/gql/), so a schema change that
// breaks one fails the build.
import { graphql } from "../gql";

export const ProductsQuery = graphql(`
  query Products($first: Int!, $after: String, $filter: ProductFilter) {
    products(first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          id
          name
          category
          stock
          price {
            amount
            currency
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ProductQuery = graphql(`
  query Product($id: ID!) {
    product(id: $id) {
      id
      name
      description
      category
      stock
      price {
        amount
        currency
      }
    }
  }
`);

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

export const PlaceOrderMutation = graphql(`
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      __typename
      ... on Order {
        id
        status
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
      ... on Conflict {
        message
      }
      ... on Unavailable {
        message
      }
    }
  }
`);

export const OrdersQuery = graphql(`
  query Orders($first: Int!, $after: String) {
    orders(first: $first, after: $after) {
      edges {
        node {
          id
          status
          createdAt
          total {
            amount
            currency
          }
          items {
            quantity
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const OrderQuery = graphql(`
  query Order($id: ID!) {
    order(id: $id) {
      id
      status
      createdAt
      updatedAt
      total {
        amount
        currency
      }
      items {
        productId
        productName
        quantity
        unitPrice {
          amount
          currency
        }
      }
    }
  }
`);

export const OrderStatusSubscription = graphql(`
  subscription OrderStatus($orderId: ID!) {
    orderStatusChanged(orderId: $orderId) {
      id
      status
      updatedAt
    }
  }
`);

export const CancelOrderMutation = graphql(`
  mutation CancelOrder($id: ID!) {
    cancelOrder(id: $id) {
      __typename
      ... on Order {
        id
        status
      }
      ... on Conflict {
        message
        currentStatus
      }
      ... on NotFound {
        message
      }
      ... on Unavailable {
        message
      }
    }
  }
`);

export const CreateProductMutation = graphql(`
  mutation CreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) {
      __typename
      ... on Product {
        id
        name
      }
      ... on ValidationError {
        message
        fields {
          field
          message
        }
      }
      ... on Forbidden {
        message
      }
      ... on Unavailable {
        message
      }
    }
  }
`);

export const UpdateStockMutation = graphql(`
  mutation UpdateStock($id: ID!, $stock: Int!) {
    updateProduct(id: $id, input: { stock: $stock }) {
      __typename
      ... on Product {
        id
        stock
      }
      ... on ValidationError {
        message
        fields {
          field
          message
        }
      }
      ... on NotFound {
        message
      }
      ... on Forbidden {
        message
      }
      ... on Unavailable {
        message
      }
    }
  }
`);
