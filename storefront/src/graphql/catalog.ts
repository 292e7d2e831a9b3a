// Catalog reads: the product list (filters, cursor pages) and one product.
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
