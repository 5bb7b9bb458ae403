"""Each entity's GraphQL operations (app/schema.graphql), bound to the service
functions and models its REST routes use (app/api/graphql.py)."""

from __future__ import annotations

from app.api.feeds import FEEDS
from app.api.graphql import GraphQLEntity, Names, One
from app.schemas import author as schemas_author
from app.schemas import book as schemas_book
from app.schemas import loan as schemas_loan
from app.services import author as service_author
from app.services import book as service_book
from app.services import loan as service_loan

ENTITIES: tuple[GraphQLEntity, ...] = (
    GraphQLEntity(
        names=Names(
            type="Author",
            item="author",
            list="authors",
            create="createAuthor",
            update="updateAuthor",
            delete="deleteAuthor",
            changed="authorChanged",
        ),
        rules=service_author.RULES,
        query=schemas_author.AuthorQuery,
        get=service_author.get_author,
        page=service_author.list_authors,
        create_body=schemas_author.AuthorCreate,
        create=service_author.create_author,
        create_needs_user=False,
        update_body=schemas_author.AuthorUpdate,
        update=service_author.update_author,
        delete=service_author.delete_author,
        feed=FEEDS[service_author.ENTITY],
    ),
    GraphQLEntity(
        names=Names(
            type="Book",
            item="book",
            list="books",
            create="createBook",
            update="updateBook",
            delete="deleteBook",
            changed="bookChanged",
        ),
        rules=service_book.RULES,
        query=schemas_book.BookQuery,
        get=service_book.get_book,
        page=service_book.list_books,
        create_body=schemas_book.BookCreate,
        create=service_book.create_book,
        create_needs_user=False,
        update_body=schemas_book.BookUpdate,
        update=service_book.update_book,
        delete=service_book.delete_book,
        feed=FEEDS[service_book.ENTITY],
        nested=(One("author", "author_id", service_author.SERVICE.get_many),),
    ),
    GraphQLEntity(
        names=Names(
            type="Loan",
            item="loan",
            list="loans",
            create="createLoan",
            update="updateLoan",
            delete="deleteLoan",
            changed="loanChanged",
        ),
        rules=service_loan.RULES,
        query=schemas_loan.LoanQuery,
        get=service_loan.get_loan,
        page=service_loan.list_loans,
        create_body=schemas_loan.LoanCreate,
        create=service_loan.create_loan,
        create_needs_user=True,
        update_body=schemas_loan.LoanUpdate,
        update=service_loan.update_loan,
        delete=service_loan.delete_loan,
        feed=FEEDS[service_loan.ENTITY],
        nested=(One("book", "book_id", service_book.SERVICE.get_many),),
    ),
)
