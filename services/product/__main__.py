from services.product.app import main

main()
