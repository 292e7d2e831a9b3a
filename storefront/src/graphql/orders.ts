// Placing, listing, following (subscription) and cancelling orders.
import { graphql } from "../gql";

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
