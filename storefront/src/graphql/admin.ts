// Admin writes: new products, stock.
import { graphql } from "../gql";

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
